module github.com/actgen/actgen/out

go 1.22
