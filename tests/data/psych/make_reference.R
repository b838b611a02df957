# Reference scores from R psych::scoreItems for tests/test_psych_parity.py.
# Run from anywhere:  Rscript tests/data/psych/make_reference.R
# Writes next to this script: responses.csv, keys.json, expected-<impute>-<means|totals>.csv
suppressPackageStartupMessages(library(psych))

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
out_dir <- dirname(normalizePath(script))

set.seed(20241131)
n <- 60
item_names <- sprintf("it%02d", 1:12)
# it01 is keyed forward in A and reversed in B.
keys <- list(
  A = c("it01", "it02", "-it03", "it04", "it05"),
  B = c("it06", "-it07", "it08", "-it01"),
  C = c("it09", "it10", "-it11", "it12")
)

x <- matrix(sample(1:5, n * 12, replace = TRUE, prob = c(.15, .35, .25, .15, .10)),
            n, 12, dimnames = list(NULL, item_names))
x[matrix(runif(n * 12) < 0.10, n, 12)] <- NA                  # ~10% MCAR
engineered <- c(A = 7L, B = 23L, C = 41L)                      # every item of one scale missing
for (s in names(engineered)) x[engineered[[s]], sub("^-", "", keys[[s]])] <- NA
items <- as.data.frame(x)

# Only the engineered rows have a scale with no answered item; no item lacks variance
# (scoreItems would drop it); some item medians fall between two codes (P(x <= 2) = .5).
answered <- sapply(keys, function(k) rowSums(!is.na(x[, sub("^-", "", k), drop = FALSE])))
stopifnot(identical(which(answered == 0, arr.ind = TRUE), cbind(row = unname(engineered), col = 1:3)),
          all(apply(x, 2, sd, na.rm = TRUE) > 0),
          any(apply(x, 2, median, na.rm = TRUE) %% 1 != 0))

write.csv(data.frame(id = seq_len(n), items), file.path(out_dir, "responses.csv"),
          row.names = FALSE, na = "")
json <- sprintf('  "%s": [%s]', names(keys),
                sapply(keys, function(k) paste0('"', k, '"', collapse = ", ")))
writeLines(c("{", paste(json, collapse = ",\n"), "}"), file.path(out_dir, "keys.json"))

for (impute in c("none", "mean", "median")) {
  for (totals in c(FALSE, TRUE)) {
    scores <- withCallingHandlers(
      scoreItems(keys, items, min = 1, max = 5, impute = impute, totals = totals)$scores,
      warning = function(w) {  # totals = TRUE with impute = "none" warns; expected
        message("psych warning (impute=", impute, ", totals=", totals, "): ", conditionMessage(w))
        invokeRestart("muffleWarning")
      })
    stopifnot(identical(colnames(scores), names(keys)))
    # 17 significant digits: every double round-trips ("NaN" where psych gives NaN).
    table <- data.frame(id = seq_len(n), apply(scores, 2, sprintf, fmt = "%.17g"))
    path <- file.path(out_dir, sprintf("expected-%s-%s.csv", impute, if (totals) "totals" else "means"))
    write.csv(table, path, row.names = FALSE, quote = FALSE)
    back <- as.matrix(read.csv(path)[, names(keys)])
    stopifnot(identical(is.nan(back), is.nan(scores)),
              max(abs(back - scores), na.rm = TRUE) <= 1e-15)
    cat(basename(path), ": max round-trip error", max(abs(back - scores), na.rm = TRUE), "\n")
  }
}
cat(R.version.string, "- psych", format(packageVersion("psych")), "\n")
