# Completes a manual page made by swift-argument-parser's generate-manual with
# the Solaris-style sections an administrator expects (make man):
#   awk -v section=8 -v sections=docs/man/cryptoadm.sections -f finish-page.awk generated.1
# - the page's section number (generate-manual writes one number for all pages);
# - the SYNOPSIS of the sections file (one line per form) for the generated one;
# - the paragraphs of the command's discussion that the sections file gives as
#   sections of their own (EXAMPLES:, EXIT STATUS:, POLICY FILE:) left out;
# - empty lines as .Pp (mdoc does not allow blank lines);
# - the generated EXIT STATUS replaced by the file's OPERANDS … SEE ALSO.
BEGIN {
    part = ""
    while ((getline line < sections) > 0) {
        if (line ~ /^\.\\" @SYNOPSIS/) { part = "synopsis"; continue }
        if (line ~ /^\.\\" @SECTIONS/) { part = "sections"; continue }
        if (part == "synopsis") synopsis = synopsis line "\n"
        else if (part == "sections") rest = rest line "\n"
    }
    close(sections)
    state = "head"
}
/^\.Dt / { $3 = section; print; next }
state == "head" && /^\.Sh SYNOPSIS/ { printf "%s", synopsis; state = "skip-synopsis"; next }
state == "skip-synopsis" && /^\.Sh DESCRIPTION/ { print; state = "description"; next }
state == "skip-synopsis" { next }
state == "description" && /^\.Bl/ { state = "body" }
state == "description" && /^(EXAMPLES|EXIT STATUS|POLICY FILE):/ { state = "skip-paragraph"; next }
state == "skip-paragraph" && /^$/ { state = "description"; next }
state == "skip-paragraph" && /^\.Bl/ { state = "body" }
state == "skip-paragraph" { next }
/^\.Sh "EXIT STATUS"/ { printf "%s", rest; state = "done"; next }
state == "done" { next }
/^$/ { print ".Pp"; next }
{ print }
