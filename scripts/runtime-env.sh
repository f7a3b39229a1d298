# Sourced by ./grantha and bench/run.sh: runtime settings that have no runtimeconfig name (the
# others are in Directory.Build.props). A value already in the environment wins.
#
# The gen0 budget: on this VM the runtime picks about 2 MB (it follows the reported cache size),
# so an import ran ~300 gen0 collections per 600 MB allocated, and every collection also trims
# the array pools of every thread. 32 MB: 9 instead of 306 collections in a test loop; the
# Trinity import through RESOLVE took 18 % less CPU; the 100,000-row ingest peaks at 249 MB
# (64 MB: 291 MB, too close to its 300 MB limit).
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x2000000}"
