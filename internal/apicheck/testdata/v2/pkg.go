package pkg

type T struct {
	A int64
	B string
}

func F(a int) int { return a }

func G() {}
