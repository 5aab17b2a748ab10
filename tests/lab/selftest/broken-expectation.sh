# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# Harness self-test: dr-basic with a wrong expected server count must fail.
EXPECT_SERVERS=3
. tests/lab/tests/dr-basic.sh
