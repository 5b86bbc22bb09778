pkg_list <- c("readr", system("id"))
