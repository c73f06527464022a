/*
 * The memory-speed anchor of make bench-faiss: a plain popcount scan of 64-bit codes with top-k,
 * compiled with gcc -O3 -march=native. Distances of a block of codes go to a small buffer first (a
 * loop gcc vectorizes), then the block is checked against the current k-th distance.
 *
 * usage: popcount_scan CODES QUERIES K   (files of little-endian uint64, as FaissBench writes them)
 * prints: c_gcodes_s=<codes per second / 1e9> c_dist_sum=<sum of the k best distances of every query>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BLOCK 1024

static uint64_t *load(const char *path, long *count) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint64_t *data = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (fread(data, 1, bytes, f) != (size_t)bytes) { perror(path); exit(1); }
  fclose(f);
  *count = bytes / 8;
  return data;
}

/* k best distances in a sorted array (k small): insertion. */
static void offer(int *best, int k, int d) {
  int i = k - 1;
  while (i > 0 && best[i - 1] > d) { best[i] = best[i - 1]; i--; }
  best[i] = d;
}

static long scan(const uint64_t *codes, long n, uint64_t q, int k) {
  int best[64];
  for (int i = 0; i < k; i++) best[i] = 65;
  uint8_t dist[BLOCK];
  for (long from = 0; from < n; from += BLOCK) {
    long len = n - from < BLOCK ? n - from : BLOCK;
    for (long i = 0; i < len; i++) dist[i] = (uint8_t)__builtin_popcountll(codes[from + i] ^ q);
    for (long i = 0; i < len; i++) {
      if (dist[i] < best[k - 1]) offer(best, k, dist[i]);
    }
  }
  long sum = 0;
  for (int i = 0; i < k; i++) sum += best[i];
  return sum;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s CODES QUERIES K\n", argv[0]); return 2; }
  long n, nq;
  uint64_t *codes = load(argv[1], &n);
  uint64_t *queries = load(argv[2], &nq);
  int k = atoi(argv[3]);
  if (k < 1 || k > 64) { fprintf(stderr, "k must be 1..64\n"); return 2; }
  long sum = 0;
  for (long q = 0; q < nq; q++) sum += scan(codes, n, queries[q], k); /* warm-up pass */
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  sum = 0;
  for (long q = 0; q < nq; q++) sum += scan(codes, n, queries[q], k);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("c_gcodes_s=%.3f c_dist_sum=%ld\n", (double)n * nq / s / 1e9, sum);
  return 0;
}
