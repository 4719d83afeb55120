#!/bin/sh
# A batchsim sweep split over a Slurm job array of 10 tasks. Slurm numbers the tasks as
# --array says; batchsim's `--shard auto/N` assumes 1..N (`--array=1-N`), so task
# SLURM_ARRAY_TASK_ID runs shard SLURM_ARRAY_TASK_ID of 10. Keep --array=1-N and auto/N equal.
#
#   mkdir -p parts logs
#   jid=$(sbatch --parsable deploy/slurm/sweep-array.sh)
#   sbatch --dependency=afterok:$jid deploy/slurm/merge.sh
#
#SBATCH --job-name=batchsim-sweep
#SBATCH --array=1-10
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=logs/sweep-%A_%a.log
set -euf

# batchsim uses every core it is given; Slurm gives --cpus-per-task.
export RAYON_NUM_THREADS="${SLURM_CPUS_PER_TASK:-4}"

batchsim sweep scenarios/capacity-planning.json \
  --seeds 1..100 \
  --set 'computeEnvironments[0].computeResources.maxvCpus=16,32,64,128' \
  --shard auto/10 \
  --out "parts/part-$SLURM_ARRAY_TASK_ID.jsonl"
