# SPDX-License-Identifier: Apache-2.0
# lab: timeout=25 inner=100000
# Harness self-test: a guest that never finishes must be killed and reported
# as a failure within its bound (the in-guest guard is disabled here).
. tests/lab/lib.sh
lab_pass started
sleep 100000
