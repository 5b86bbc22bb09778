# A hostile install.R: it runs while the CRAN mirror secret is mounted, and copies it into a file of the image.
writeLines(Sys.getenv("R2D_CRAN"), "leaked-cran-mirror.txt")
writeLines(readLines("/run/secrets/r2d-cran", warn = FALSE), "leaked-cran-secret.txt")
