# r2d helper, run at build time: installs R packages into R_LIBS_USER from the CRAN mirror in
# R2D_CRAN (else the image's own), and fails when a package did not install (install.packages only warns).
#   Rscript install-r-packages.R packages pkgA pkgB   # a pkg_list
#   Rscript install-r-packages.R script binder/install.R  # a script (from the repository root), with the mirror as the default repos
#   Rscript install-r-packages.R description .         # an R package: its dependencies, then itself
#   Rscript install-r-packages.R locked LIST           # renv.lock's packages at exactly their versions:
#     LIST has one "package<TAB>version<TAB>repository name<TAB>repository URL" line per package, in
#     install order (written by r2d from the validated lock); R2D_CRAN, when set, replaces the repository named CRAN.
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
} else if (identical(mode, "locked")) {
  rows <- strsplit(readLines(rest[1]), "\t", fixed = TRUE)
  dir <- tempfile("r2d-locked-")
  dir.create(dir)
  indexes <- list()
  version_of <- function(pkg) tryCatch(packageDescription(pkg, lib.loc = lib, fields = "Version"), error = function(e) NA)
  for (row in rows) {
    pkg <- row[1]; ver <- row[2]
    repo <- if (identical(row[3], "CRAN") && nzchar(cran)) sub("/+$", "", cran) else row[4]
    contrib <- paste0(repo, "/src/contrib")
    if (is.null(indexes[[contrib]])) indexes[[contrib]] <- available.packages(contriburl = contrib, type = "source", filters = "duplicates")
    index <- indexes[[contrib]]
    # The current version is in src/contrib; older ones in CRAN's Archive/<pkg>/.
    current <- pkg %in% rownames(index) && identical(unname(index[pkg, "Version"]), ver)
    tarball <- sprintf("%s_%s.tar.gz", pkg, ver)
    from <- if (current) paste(contrib, tarball, sep = "/") else paste(contrib, "Archive", pkg, tarball, sep = "/")
    dest <- file.path(dir, tarball)
    ok <- tryCatch(download.file(from, dest, mode = "wb", quiet = TRUE) == 0, error = function(e) FALSE, warning = function(w) FALSE)
    if (!ok) stop("r2d: R package ", pkg, " ", ver, " is not in the repository ", row[3], " (looked in ", if (current) "src/contrib" else "src/contrib/Archive", ")", call. = FALSE)
    install.packages(dest, repos = NULL, type = "source", lib = lib)
    if (!identical(version_of(pkg), ver)) stop("r2d: R package ", pkg, " ", ver, " did not install", call. = FALSE)
  }
  for (row in rows) {
    got <- version_of(row[1])
    if (!identical(got, row[2])) stop("r2d: R package ", row[1], " is ", got, ", not ", row[2], " as locked", call. = FALSE)
  }
} else {
  stop("r2d: unknown mode ", mode, call. = FALSE)
}
