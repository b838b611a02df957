# Reference values for tests/test_norms_building.py::test_norms_agree_with_r: each
# person's percentile rank, normalised T, stanine and sten within their group, computed
# in base R from ranks, independently of profdiag's table building.
# Run from anywhere:  Rscript tests/data/norms-r/make_reference.R
# Writes next to this script: responses.csv (id, sex, raw) and expected.csv.
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
out_dir <- dirname(normalizePath(script))
set.seed(20261130)
n <- 700
sex <- sample(c("f", "m"), n, replace = TRUE)
raw <- ifelse(sex == "f", rbinom(n, 12, 0.35), rbinom(n, 12, 0.55))
raw[sample(n, 20)] <- NA                       # no answer: left out of the norms
responses <- data.frame(id = seq_len(n), sex = sex, raw = raw)
write.csv(responses, file.path(out_dir, "responses.csv"), row.names = FALSE, na = "")

expected <- do.call(rbind, lapply(split(responses[!is.na(responses$raw), ], ~sex), function(g) {
  # mid-rank percentile rank: the average rank of tied scores, minus one half, over N
  pr <- 100 * (rank(g$raw, ties.method = "average") - 0.5) / nrow(g)
  z <- qnorm(pr / 100)
  data.frame(
    id = g$id, pr = pr, t = 50 + 10 * z,
    stanine = findInterval(z, c(-1.75, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75)) + 1,
    sten = findInterval(z, c(-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2)) + 1
  )
}))
expected <- expected[order(expected$id), ]
write.csv(expected, file.path(out_dir, "expected.csv"), row.names = FALSE)
