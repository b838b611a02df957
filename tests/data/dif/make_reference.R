# Reference values for tests/test_dif.py: Mantel-Haenszel DIF statistics from R's base
# stats::mantelhaen.test, and (for the four-point items) Mantel's ordinal chi-square, the
# SMD and the Liu-Agresti estimate computed here with table() per stratum.
# Run from anywhere:  Rscript tests/data/dif/make_reference.R
# Writes next to this script: responses.csv, expected.csv. The instrument dif.json next to
# it is written by hand and must match the keys below.

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
out_dir <- dirname(normalizePath(script))
set.seed(20261130)
n <- 1500

sex <- sample(c("f", "m"), n, replace = TRUE, prob = c(0.45, 0.55))
grade <- sample(c(7L, 8L, 9L), n, replace = TRUE)
ability <- rnorm(n) + 0.3 * (sex == "m")  # the groups differ in ability (impact, not DIF)
focal_f <- sex == "f"

# Binary items: b05 is planted harder for girls (1.2 logits), b03 is keyed the other way.
b_difficulty <- c(-1.2, -0.7, -0.3, 0, 0.2, 0.5, 0.9, 1.3)
bin <- sapply(seq_along(b_difficulty), function(j) {
  shift <- if (j == 5) 1.2 * focal_f else 0
  as.integer(runif(n) < plogis(1.6 * (ability - b_difficulty[j]) - shift))
})
bin[, 3] <- 1L - bin[, 3]
colnames(bin) <- sprintf("b%02d", 1:8)

# Multiple choice: m04 planted easier for girls; wrong answers spread over the others.
mc_key <- c(m01 = "b", m02 = "d", m03 = "a", m04 = "c", m05 = "a", m06 = "b")
m_difficulty <- c(-1, -0.4, 0, 0.3, 0.7, 1.1)
options <- c("a", "b", "c", "d")
mc <- sapply(seq_along(mc_key), function(j) {
  shift <- if (j == 4) -1.0 * focal_f else 0
  right <- runif(n) < plogis(1.5 * (ability - m_difficulty[j]) - shift)
  wrong <- setdiff(options, mc_key[[j]])
  ifelse(right, mc_key[[j]], sample(wrong, n, replace = TRUE))
})
colnames(mc) <- names(mc_key)

# Four-point items: l04 planted lower for girls, l02 keyed the other way.
likert <- sapply(1:6, function(j) {
  x <- 0.7 * ability + 0.7 * rnorm(n) - (if (j == 4) 0.6 * focal_f else 0)
  if (j == 2) x <- -x
  as.integer(cut(x, c(-Inf, -0.8, 0, 0.8, Inf)))
})
colnames(likert) <- sprintf("l%02d", 1:6)

items <- cbind(as.data.frame(bin), as.data.frame(mc, stringsAsFactors = FALSE),
               as.data.frame(likert))
for (name in names(items)) items[[name]][runif(n) < 0.03] <- NA  # ~3% missing answers
sex[sample(n, 20)] <- NA                                            # 20 without a group
responses <- data.frame(id = seq_len(n), sex = sex, grade = grade, items,
                        stringsAsFactors = FALSE)
write.csv(responses, file.path(out_dir, "responses.csv"), row.names = FALSE, na = "")

# ---------------------------------------------------------------- keyed scales
keyed <- list(
  BIN = { k <- bin; k[, 3] <- 1L - k[, 3]; k[is.na(items[, colnames(bin)])] <- NA; k },
  MC = sapply(names(mc_key), function(m) ifelse(is.na(items[[m]]), NA,
                                                as.integer(items[[m]] == mc_key[[m]]))),
  LIK = { k <- as.matrix(items[, colnames(likert)]); k[, 2] <- 5L - k[, 2]; k }
)
rows <- list()
add <- function(by, reference, focal, scale, item, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(by = by, reference = reference, focal = focal,
    scale = scale, item = item, statistic = statistic, value = sprintf("%.17g", value))
}

compare <- function(by, groups, reference, focal) {
  for (scale in names(keyed)) {
    k <- keyed[[scale]]
    for (j in seq_len(ncol(k))) {
      item <- colnames(k)[j]
      use <- !is.na(groups) & groups %in% c(reference, focal) & rowSums(is.na(k)) == 0
      rest <- rowSums(k[use, -j, drop = FALSE])
      y <- k[use, j]
      g <- factor(groups[use], levels = c(reference, focal))
      add(by, reference, focal, scale, item, "n_reference", sum(g == reference))
      add(by, reference, focal, scale, item, "n_focal", sum(g == focal))
      both <- tapply(g == reference, rest, any) & tapply(g == focal, rest, any)
      add(by, reference, focal, scale, item, "n_strata", sum(both))
      # Strata with fewer than two respondents: mantelhaen.test refuses them; with one
      # group only they add nothing to any sum, so leaving them out changes nothing.
      keep <- rest %in% as.numeric(names(both)[both])
      if (scale != "LIK") {
        tab <- table(g[keep], factor(y[keep], levels = c(1, 0)), rest[keep])
        test <- mantelhaen.test(tab, correct = TRUE)
        se_log <- diff(log(test$conf.int)) / (2 * qnorm(0.975))
        add(by, reference, focal, scale, item, "alpha_mh", test$estimate)
        add(by, reference, focal, scale, item, "mh_chi_square", test$statistic)
        add(by, reference, focal, scale, item, "p_value", test$p.value)
        add(by, reference, focal, scale, item, "log_alpha_se", se_log)
        next
      }
      # Ordinal items: Mantel (1963), SMD (Dorans & Schmitt), Liu-Agresti (1996) estimate,
      # one stratum at a time from per-respondent tables.
      scores <- 1:4
      seen <- sort(unique(y[keep]))
      f_sum <- e_sum <- v_sum <- r_sum <- s_sum <- smd <- 0
      n_focal_used <- sum(g[keep] == focal)
      for (s in unique(rest[keep])) {
        at <- keep & rest == s
        tab <- table(factor(g[at], levels = c(reference, focal)), factor(y[at], levels = scores))
        nr <- sum(tab[1, ]); nf <- sum(tab[2, ]); nn <- nr + nf
        col <- colSums(tab)
        f_sum <- f_sum + sum(scores * tab[2, ])
        e_sum <- e_sum + nf / nn * sum(scores * col)
        v_sum <- v_sum + nr * nf / (nn^2 * (nn - 1)) * (nn * sum(scores^2 * col) - sum(scores * col)^2)
        smd <- smd + nf / n_focal_used * (sum(scores * tab[2, ]) / nf - sum(scores * tab[1, ]) / nr)
        for (cut_at in seen[-length(seen)]) {  # splits "above cut_at" between seen values
          a <- sum(tab[1, scores > cut_at]); b <- nr - a
          cc <- sum(tab[2, scores > cut_at]); d <- nf - cc
          r_sum <- r_sum + a * d / nn
          s_sum <- s_sum + b * cc / nn
        }
      }
      add(by, reference, focal, scale, item, "mantel_chi_square", (f_sum - e_sum)^2 / v_sum)
      add(by, reference, focal, scale, item, "smd", smd)
      add(by, reference, focal, scale, item, "item_sd", sd(y))
      add(by, reference, focal, scale, item, "la_odds_ratio", r_sum / s_sum)
    }
  }
}
compare("sex", sex, "m", "f")
compare("grade", as.character(grade), "8", "7")
compare("grade", as.character(grade), "8", "9")
write.csv(do.call(rbind, rows), file.path(out_dir, "expected.csv"), row.names = FALSE,
          quote = FALSE)
