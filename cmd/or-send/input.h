/*
 * input.h: what or-send sends besides records: text from files (@FILE),
 * a document on stdin, attached images and PDFs (-a).
 *
 * Each reads what it names whole, once, before anything is sent, and
 * exits 2 with one line naming the file when it cannot: a prompt that
 * is not what the user meant is not worth a request.
 */
#ifndef OR_SEND_INPUT_H
#define OR_SEND_INPUT_H

#include <jv.h>

/* An attachment over this many bytes is refused (or-send(1) says so). */
#define ATTACH_MAX	(20L * 1024 * 1024)

/*
 * arg itself, or with a leading '@' the text of the file it names
 * ("@@x" is the text "@x"); malloc'd. what names the flag in messages
 * ("-s"), or is "" for the prompt.
 */
char	*input_arg(const char *arg, const char *what);
/*
 * The whole of stdin as text, malloc'd; NULL when it holds nothing but
 * white space.
 */
char	*input_stdin(void);
/* The content part for -a FILE|URL: owned. */
jv	 input_attach(const char *arg);

#endif
