# Reads the output of google/pkcs11test (gtest) and prints one line per test:
#   NAME PASS|FAIL|SKIP  the first failed check (file:line, what was expected
#                        and what came), or the skip reason
# pkcs11test reports a skipped test as passed ([ OK ]) and lists it at the end
# under "Following tests were skipped because: REASON"; that list wins.
/^\[ RUN      \] / { name = $4; msg[name] = ""; checks = 0; next }
/^\[       OK \] / { status[$4] = "PASS"; order[++n] = $4; next }
/^\[  FAILED  \] .*\([0-9]+ ms\)$/ { t = $4; sub(/,$/, "", t); status[t] = "FAIL"; order[++n] = t; name = ""; next }
/^Following tests were skipped because: / { reason = $0; sub(/^Following tests were skipped because: /, "", reason); skipping = 1; next }
skipping && /^  [^ ]/ { status[$1] = "SKIP"; msg[$1] = reason; next }
skipping { skipping = 0 }
name == "" { next }
/: Failure$/ { checks++; if (checks == 1) msg[name] = $1; next }
checks == 1 && /Which is: / { sub(/^ *Which is: /, ""); msg[name] = msg[name] " " $0; next }
checks == 1 && /^(Value of|  Actual|Expected: )/ { msg[name] = msg[name] " " $0; next }
END { for (i = 1; i <= n; i++) { t = order[i]; printf "%s %s %s\n", t, status[t], msg[t] } }
