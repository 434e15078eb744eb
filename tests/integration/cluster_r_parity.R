# cluster_r_parity.R — the reference side of cluster_r_parity.sh.
# Usage: Rscript cluster_r_parity.R DESCRIPTORS.csv OURS_PREFIX MINPTS...
# Reads "identity,v1..v128" rows, runs dbscan::hdbscan for each minPts, reads our
# labels from OURS_PREFIX<minPts>.txt (one per line, -1 = noise) and prints
# "minPts ari clusters_r clusters_ours noise_r noise_ours" per line.
suppressPackageStartupMessages(library(dbscan))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: cluster_r_parity.R CSV OURS_PREFIX MINPTS...")
d <- as.matrix(read.csv(args[1], header = FALSE))
x <- d[, -1, drop = FALSE]
ari <- function(a, b) {
  tab <- table(a, b)
  comb <- function(v) sum(v * (v - 1) / 2)
  sij <- comb(tab); sa <- comb(rowSums(tab)); sb <- comb(colSums(tab))
  expected <- sa * sb / comb(length(a))
  maxi <- (sa + sb) / 2
  if (maxi == expected) return(as.numeric(sij == expected))
  (sij - expected) / (maxi - expected)
}
for (m in as.integer(args[-(1:2)])) {
  r <- hdbscan(x, minPts = m)$cluster            # 0 = noise
  ours <- scan(paste0(args[2], m, ".txt"), quiet = TRUE)
  ours[ours < 0] <- -1                           # noise as one class, like R's 0
  if (length(ours) != length(r)) stop(sprintf("minPts %d: %d labels from facetag, %d rows", m, length(ours), length(r)))
  cat(sprintf("%d %.6f %d %d %d %d\n", m, ari(r, ours), length(setdiff(unique(r), 0)),
              length(setdiff(unique(ours), -1)), sum(r == 0), sum(ours < 0)))
}
