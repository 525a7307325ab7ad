# Sourced by scripts/run.sh and scripts/test.sh: OpenMPI settings for a workstation where you may
# be root and the network is loopback only. On a cluster, do not source this (slurm/README.md).
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader
export OMPI_MCA_oob_tcp_if_include=lo
export SWIFT_BACKTRACE=enable=no
