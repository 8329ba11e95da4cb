module libipam.invalid/ipam

go 1.24
