# sl_hex_bytes(FILE BYTES LEN PER_LINE): the contents of FILE as C array initializers
# ("0x2f,0x2a,..." with a line break every PER_LINE bytes) in BYTES, and its size in LEN.
# Used by the build-time scripts that compile a file into the binary (no xxd needed).
function(sl_hex_bytes file bytes_var len_var per_line)
  file(READ ${file} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REPEAT "[0-9a-f][0-9a-f]" ${per_line} line)
  string(REGEX REPLACE "(${line})" "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  set(${bytes_var} "${bytes}" PARENT_SCOPE)
  set(${len_var} ${len} PARENT_SCOPE)
endfunction()
