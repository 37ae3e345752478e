module example.com/apitest/pkg

go 1.25
