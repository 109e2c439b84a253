// Package benchpkg is a tiny benchmarked package for benchtab's Run tests.
package benchpkg

// Scale multiplies x by a into dst.
func Scale(dst, x []float32, a float32) {
	for i := range x {
		dst[i] = x[i] * a
	}
}
