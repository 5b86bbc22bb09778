r2d_greet <- function(name = "world") {
  paste0("r2dgreet 1.0.0: ", r2d_hello(name))
}
