#ifndef OG_WRITEBACK_H
#define OG_WRITEBACK_H

#include <stdint.h>

/* Asks the kernel to start writing `length` bytes of `fd` from `offset` to the device, without
 * waiting (Linux `sync_file_range` with SYNC_FILE_RANGE_WRITE; nothing elsewhere). A long
 * streamed result is then mostly on the device when its final fsync comes, so the flush is
 * spread over the run instead of added at its end, and dirty pages do not pile up. Advisory:
 * errors are ignored here and reported by the fsync that follows. */
void og_start_writeback(int fd, int64_t offset, int64_t length);

#endif
