/// Linux constants Glibc's Swift overlay hides behind _GNU_SOURCE.
let O_PATH: Int32 = 0o1000_0000
