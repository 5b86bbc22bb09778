pkg_list <- c("a'); system('id'); ('")
