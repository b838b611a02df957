# Reference values from R psych::alpha (and scoreItems for scale intercorrelations) for
# tests/test_analysis_psych_parity.py.
# Run from anywhere:  Rscript tests/data/psych-alpha/make_reference.R
# Writes next to this script: likert-responses.csv, choice-responses.csv, expected.csv.
# The instruments likert.json and choice.json next to it are written by hand and must
# match the keys below.
suppressPackageStartupMessages(library(psych))

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
out_dir <- dirname(normalizePath(script))
set.seed(20261130)
n <- 400

# ---------------------------------------------------------------- five-point items
# Three correlated traits; an item is a trait (or its negative, for a reverse-keyed item)
# plus noise, cut into five categories at item-specific thresholds.
f1 <- rnorm(n)
f2 <- -0.4 * f1 + sqrt(1 - 0.16) * rnorm(n)
f3 <- 0.3 * f1 + sqrt(1 - 0.09) * rnorm(n)
likert <- function(trait, loading, shift) {
  x <- loading * trait + sqrt(1 - loading^2) * rnorm(length(trait))
  as.integer(cut(x, c(-Inf, c(-1.5, -0.5, 0.5, 1.5) + shift, Inf)))
}
x <- cbind(
  it01 = likert(f1, .70, 0), it02 = likert(f1, .60, .3), it03 = likert(-f1, .60, -.2),
  it04 = likert(f1, .50, .5), it05 = likert(f1, .55, 0), it06 = likert(f2, .70, 0),
  it07 = likert(-f2, .60, .4), it08 = likert(f2, .50, -.3), it09 = likert(f3, .60, 0),
  it10 = likert(f3, .65, .2), it11 = likert(-f3, .50, 0), it12 = likert(f3, .55, -.4))
x[matrix(runif(length(x)) < 0.07, n, ncol(x))] <- NA           # ~7% missing at random
x[c(5, 77), ] <- NA                                             # two empty answer sheets
x[13, c("it01", "it02", "it03", "it04", "it05")] <- NA          # no answer on scale A
likert_keys <- list(
  A = c("it01", "it02", "-it03", "it04", "it05"),
  B = c("it06", "-it07", "it08", "-it01"),                      # it01 reversed here
  C = c("it09", "it10", "-it11", "it12"),
  D = c("it04", "it12"),                                        # two items
  ALL = c("it01", "it02", "-it03", "it04", "it05", "-it06", "it07", "-it08",
          "it09", "it10", "-it11", "it12"))                     # for omega: 12 items
likert_items <- as.data.frame(x)

# ---------------------------------------------------------------- multiple choice and binary
ability <- rnorm(n)
mc_key <- c(m01 = "b", m02 = "d", m03 = "a", m04 = "c", m05 = "a", m06 = "b", m07 = "d", m08 = "a")
difficulty <- c(-1.2, -0.6, -0.3, 0, 0.2, 0.5, 0.9, 1.3)
options <- c("a", "b", "c", "d")
mc <- sapply(seq_along(mc_key), function(j) {
  right <- runif(n) < plogis(1.7 * (ability - difficulty[j]))
  wrong <- setdiff(options, mc_key[[j]])
  ifelse(right, mc_key[[j]], sample(wrong, n, replace = TRUE, prob = c(.5, .3, .2)))
})
colnames(mc) <- names(mc_key)
mc[matrix(runif(length(mc)) < 0.05, n, ncol(mc))] <- NA
# Credit: 1 for the key; m08 also gives 0.5 for option c (partial credit).
credit <- (mc == matrix(mc_key, n, length(mc_key), byrow = TRUE)) + 0
credit[, "m08"] <- credit[, "m08"] + 0.5 * (mc[, "m08"] %in% "c")
credit[is.na(mc)] <- NA
bin <- sapply(c(-1, -0.5, 0, 0.3, 0.8, 1.2), function(d) as.integer(runif(n) < plogis(1.5 * (ability - d))))
bin[, 3] <- 1L - bin[, 3]                                      # b03 is keyed the other way
colnames(bin) <- sprintf("b%02d", 1:6)
bin[matrix(runif(length(bin)) < 0.05, n, ncol(bin))] <- NA
choice_keys <- list(MC = names(mc_key), BIN = c("b01", "b02", "-b03", "b04", "b05", "b06"))
option_numbers <- apply(mc, 2, function(column) match(column, options))  # a..d -> 1..4

# Each scale's answers must span the declared range (1..5, 0..1): psych reverses with the
# observed global min + max, profdiag with the declared one; they agree only then.
for (keys in likert_keys) stopifnot(range(x[, sub("^-", "", keys)], na.rm = TRUE) == c(1, 5))
stopifnot(range(bin, na.rm = TRUE) == c(0, 1),
          all(apply(cbind(x, credit, bin), 2, sd, na.rm = TRUE) > 0))

write.csv(data.frame(id = seq_len(n), x), file.path(out_dir, "likert-responses.csv"),
          row.names = FALSE, na = "")
write.csv(data.frame(id = seq_len(n), mc, bin), file.path(out_dir, "choice-responses.csv"),
          row.names = FALSE, na = "", quote = FALSE)

# ---------------------------------------------------------------- psych
rows <- list()
add <- function(instrument, scale, item, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(instrument = instrument, scale = scale, item = item,
                                          statistic = statistic, value = sprintf("%.17g", value))
}
# omega() with psych's defaults (3 group factors, minres, oblimin, Schmid-Leiman) on the
# keyed items (reversed: min + max - x), for scales of at least 6 items.
add_omega <- function(instrument, scale, keyed) {
  if (ncol(keyed) < 6) return(invisible())
  o <- withCallingHandlers(
    omega(keyed, plot = FALSE),
    warning = function(w) {
      message("psych warning (omega ", instrument, " ", scale, "): ", conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  add(instrument, scale, "", "omega_h", o$omega_h)
  add(instrument, scale, "", "omega.tot", o$omega.tot)
}
analyse <- function(instrument, scale, items, reversed, frequency_items, labels = NULL,
                    low = 1, high = 5) {
  keyed <- items
  keyed[, reversed] <- low + high - keyed[, reversed]
  add_omega(instrument, scale, keyed)
  a <- withCallingHandlers(
    alpha(items, keys = if (length(reversed)) reversed else NULL),
    warning = function(w) {
      message("psych warning (", instrument, " ", scale, "): ", conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  total <- a$total
  for (name in c("raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "ase", "median_r", "mean", "sd"))
    add(instrument, scale, "", name, total[[name]])
  add(instrument, scale, "", "feldt_lower", a$feldt$lower.ci[[1]])
  add(instrument, scale, "", "feldt_upper", a$feldt$upper.ci[[1]])
  stats <- a$item.stats
  names <- sub("-$", "", rownames(stats))
  for (i in seq_along(names)) {
    for (name in c("n", "raw.r", "std.r", "r.cor", "r.drop", "mean", "sd"))
      add(instrument, scale, names[i], name, stats[i, name])
    add(instrument, scale, names[i], "alpha_if_dropped", a$alpha.drop[i, "raw_alpha"])
  }
  freq <- response.frequencies(frequency_items)
  for (i in seq_len(nrow(freq))) {
    for (code in colnames(freq)) {
      label <- if (code == "miss") "miss" else if (is.null(labels)) code else labels[as.integer(code)]
      add(instrument, scale, rownames(freq)[i], paste0("freq:", label), freq[i, code])
    }
  }
}
intercorrelations <- function(instrument, keys, items) {
  s <- scoreItems(keys, items, impute = "none")
  for (a in names(keys)) for (b in names(keys)) if (a != b) {
    add(instrument, a, b, "cor", s$cor[a, b])
    corrected <- if (match(a, names(keys)) < match(b, names(keys))) s$corrected[a, b] else s$corrected[b, a]
    add(instrument, a, b, "corrected", corrected)
  }
}

for (scale in names(likert_keys)) {
  keys <- likert_keys[[scale]]
  columns <- sub("^-", "", keys)
  analyse("likert", scale, likert_items[, columns], sub("^-", "", keys[startsWith(keys, "-")]),
          likert_items[, columns])
}
intercorrelations("likert", likert_keys, likert_items)

analyse("choice", "MC", as.data.frame(credit), character(0), as.data.frame(option_numbers), options,
        low = 0, high = 1)
analyse("choice", "BIN", as.data.frame(bin), "b03", as.data.frame(bin), low = 0, high = 1)
intercorrelations("choice", choice_keys, as.data.frame(cbind(credit, bin)))

expected <- do.call(rbind, rows)
path <- file.path(out_dir, "expected.csv")
write.csv(expected, path, row.names = FALSE, quote = FALSE)
back <- read.csv(path)
stopifnot(max(abs(back$value - as.numeric(expected$value)), na.rm = TRUE) == 0)
cat(nrow(expected), "reference values;", R.version.string, "- psych", format(packageVersion("psych")), "\n")
