module libipam.invalid/bench/bindings

go 1.24

require libipam.invalid/ipam v0.2.0

replace libipam.invalid/ipam => ../../../bindings/go
