pkg_list <- c("readr")
