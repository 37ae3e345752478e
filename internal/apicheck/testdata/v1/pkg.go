package pkg

type T struct{ A int }

func F(a int) int { return a }
