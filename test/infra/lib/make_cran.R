# Lay out a CRAN-like repository from a directory of source tarballs.
#
# usage: Rscript make_cran.R TARBALL_DIR OUT_DIR
#
# The newest version of each package goes to OUT_DIR/src/contrib (indexed by
# tools::write_PACKAGES); older versions go to OUT_DIR/src/contrib/Archive/<pkg>/,
# which is where remotes::install_version() and friends look, and
# OUT_DIR/src/contrib/Meta/archive.rds lists them as CRAN's does.
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 2L)
tar_dir <- args[[1L]]
out <- args[[2L]]
contrib <- file.path(out, "src", "contrib")
dir.create(contrib, recursive = TRUE, showWarnings = FALSE)

files <- list.files(tar_dir, pattern = "_.*\\.tar\\.gz$", full.names = TRUE)
if (length(files) == 0L) stop("no source tarballs in ", tar_dir)
base <- basename(files)
pkg <- sub("_.*$", "", base)
ver <- sub("^[^_]+_(.*)\\.tar\\.gz$", "\\1", base)

archive <- list()
for (p in unique(pkg)) {
  idx <- which(pkg == p)
  idx <- idx[order(package_version(ver[idx]), decreasing = TRUE)]
  file.copy(files[idx[1L]], contrib, overwrite = TRUE)
  cat("  ", p, ": ", ver[idx[1L]], " (current)", sep = "")
  old <- idx[-1L]
  if (length(old)) {
    adir <- file.path(contrib, "Archive", p)
    dir.create(adir, recursive = TRUE, showWarnings = FALSE)
    file.copy(files[old], adir, overwrite = TRUE)
    rel <- file.path(p, base[old])
    info <- file.info(file.path(contrib, "Archive", rel))
    rownames(info) <- rel
    archive[[p]] <- info
    cat(", archived:", paste(ver[old], collapse = ", "))
  }
  cat("\n")
}
dir.create(file.path(contrib, "Meta"), showWarnings = FALSE)
saveRDS(archive, file.path(contrib, "Meta", "archive.rds"))
n <- tools::write_PACKAGES(contrib, type = "source")
if (n < 1L) stop("write_PACKAGES indexed no package")
