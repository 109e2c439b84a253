// Package plot draws activations with gonum/plot: each function with its
// derivative, and all functions on one axis, as SVG files that render on GitHub.
package plot
