# answers.mk: a folder of prompts made into answers, incrementally.
#
#   make -f answers.mk -j8            # in a folder holding prompts/*.txt
#   make -f answers.mk -j8 -k MODEL=anthropic/claude-3.5-haiku
#
# MODEL, when set, is or-send's -m; unset, or-send chooses as it does
# for any prompt: ORKIT_MODEL, else the "model" of config.json (see
# orkit(7)), else none (the account's default model at OpenRouter).
#
# Each prompts/NAME.txt becomes answers/NAME.txt, the answer's text;
# the record itself (the response, what it cost, how long it took) is
# in or-log's log, where `or-log stats` and `or-log report --html` see
# the batch like any other.
#
# make's own rule of dates does the rest: a prompt is sent again only
# when it changed since its answer was made, so a second run after
# editing one prompt sends one request. A failed request leaves no
# answers/NAME.txt (the text goes to a temporary file, moved only once
# the whole pipeline exited 0), so the next make sends it again; -k
# goes on past a failure to the other prompts.
#
# No prompts/*.txt at all (the wrong folder, most likely) is a mistake,
# not "nothing to be done": one line says so and make exits 2, so that
# a cron job mails it rather than succeeding with nothing sent.

# -m MODEL only when MODEL is given: ORKIT_MODEL and config.json apply.
MODEL	?=
MFLAG	 = $(if $(MODEL),-m '$(MODEL)')
# The tools, by name on PATH, or give absolute paths (from cron).
OR_SEND	?= or-send
OR_LOG	?= or-log

# bash for pipefail: a pipeline fails when or-send does, not only
# when its last command does.
SHELL		:= /bin/bash
.SHELLFLAGS	:= -o pipefail -c

PROMPTS	:= $(wildcard prompts/*.txt)
ANSWERS	:= $(PROMPTS:prompts/%.txt=answers/%.txt)

all: $(ANSWERS)
ifeq ($(PROMPTS),)
	$(error no prompts/*.txt in $(CURDIR): nothing to send)
endif

# @FILE: the prompt is the file's text; </dev/null: with a prompt as
# argument, or-send would read a document from stdin too. or-log -t
# stores the record and writes its answer's text (an error goes to
# stderr, exit 1). The model is no prerequisite: a new MODEL resends
# nothing, and -B sends everything again.
answers/%.txt: prompts/%.txt | answers
	$(OR_SEND) $(MFLAG) @$< </dev/null | $(OR_LOG) -t >$@.tmp \
	    && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

answers:
	mkdir -p $@

.PHONY: all
