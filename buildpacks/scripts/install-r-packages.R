# r2d helper, run at build time: installs R packages into R_LIBS_USER from the CRAN mirror in
# R2D_CRAN (else the image's own), and fails when a package did not install (install.packages only warns).
#   Rscript install-r-packages.R packages pkgA pkgB   # a pkg_list
#   Rscript install-r-packages.R script binder/install.R  # a script (from the repository root), with the mirror as the default repos
#   Rscript install-r-packages.R description .         # an R package: its dependencies, then itself
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
rest <- args[-1]
cran <- Sys.getenv("R2D_CRAN")
if (nzchar(cran)) {
  options(repos = c(CRAN = cran))
} else if (is.null(getOption("repos")) || identical(unname(getOption("repos")["CRAN"]), "@CRAN@")) {
  options(repos = c(CRAN = "https://cloud.r-project.org"))
}
lib <- Sys.getenv("R_LIBS_USER")
dir.create(lib, recursive = TRUE, showWarnings = FALSE)
.libPaths(c(lib, .libPaths()))
# Parallel installs run through `make`, which Debian's r-base-core does not bring: one at a time without it.
ncpus <- if (nzchar(Sys.which("make"))) max(1L, parallel::detectCores(), na.rm = TRUE) else 1L

installed <- function(pkgs) vapply(pkgs, requireNamespace, logical(1), quietly = TRUE)
check <- function(pkgs) {
  missing <- pkgs[!installed(pkgs)]
  if (length(missing)) stop("r2d: these R packages did not install: ", paste(missing, collapse = ", "), call. = FALSE)
}
install <- function(pkgs) {
  todo <- pkgs[!installed(pkgs)]
  if (length(todo)) install.packages(todo, lib = lib, Ncpus = ncpus)
  check(pkgs)
}

if (identical(mode, "packages")) {
  install(rest)
} else if (identical(mode, "script")) {
  source(rest[1], echo = TRUE, max.deparse.length = Inf)
} else if (identical(mode, "description")) {
  d <- read.dcf(file.path(rest[1], "DESCRIPTION"))
  fields <- intersect(c("Depends", "Imports", "LinkingTo"), colnames(d))
  deps <- trimws(sub("\\(.*$", "", unlist(strsplit(d[1, fields], ","))))
  deps <- setdiff(deps[deps != ""], c("R", rownames(installed.packages(priority = "base"))))
  install(deps)
  install.packages(rest[1], repos = NULL, type = "source", lib = lib)
  check(d[1, "Package"])
} else {
  stop("r2d: unknown mode ", mode, call. = FALSE)
}
