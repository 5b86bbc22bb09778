r2d_hello <- function(name = "world") {
  paste0("hello, ", name, " (r2dhello ", "0.2.0", ")")
}
