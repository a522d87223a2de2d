// GNU readline for the pmq shell. stdio.h must come first: readline's headers use FILE.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

// Setters and getters for readline's globals: Swift's strict concurrency rejects
// touching C globals directly, and small inline functions keep that in one place.
static inline void pmq_rl_set_completion(rl_completion_func_t *f) { rl_attempted_completion_function = f; }
static inline void pmq_rl_set_completion_over(int v) { rl_attempted_completion_over = v; }
static inline void pmq_rl_set_append_character(int c) { rl_completion_append_character = c; }
static inline void pmq_rl_set_suppress_append(int v) { rl_completion_suppress_append = v; }
static inline void pmq_rl_set_word_breaks(const char *s) { rl_completer_word_break_characters = (char *)s; }
static inline void pmq_rl_set_quote_characters(const char *s) { rl_completer_quote_characters = s; }
static inline int pmq_rl_quote_character(void) { return rl_completion_quote_character; }
static inline const char *pmq_rl_line_buffer(void) { return rl_line_buffer; }
static inline int pmq_rl_point(void) { return rl_point; }
static inline void pmq_rl_set_name(const char *s) { rl_readline_name = s; }
static inline void pmq_rl_set_catch_signals(int v) { rl_catch_signals = v; }
static inline void pmq_history_set_multiline(int v) { history_multiline_entries = v; history_write_timestamps = v; }
static inline int pmq_history_length(void) { return history_length; }
static inline void pmq_rl_set_instream(FILE *f) { rl_instream = f; }
static inline void pmq_rl_set_outstream(FILE *f) { rl_outstream = f; }
