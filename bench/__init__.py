"""The benchmark, load and fault harness (issue 7). Never imported by the product; see bench/README.md."""
