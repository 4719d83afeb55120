#!/bin/sh
# Merges the parts of deploy/slurm/sweep-array.sh into sweep.csv; the confidence-interval
# summary goes to the log. Submit with --dependency=afterok:<array job id>.
#
#SBATCH --job-name=batchsim-merge
#SBATCH --cpus-per-task=1
#SBATCH --time=00:30:00
#SBATCH --output=logs/merge-%j.log
set -eu

batchsim merge parts/part-*.jsonl --out sweep.csv
