/*
 * Generated container names: adjective_noun, as docker users expect
 * ("quiet_otter"). The words are our own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "ctr/internal.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static const char *const adjectives[] = {
	"able",	    "agile",   "amber",	  "ample",   "bold",	"brave",
	"breezy",   "bright",  "brisk",	  "calm",    "candid",	"cheery",
	"clever",   "cosmic",  "crisp",	  "curious", "daring",	"deft",
	"eager",    "early",   "earnest", "fancy",   "fierce",	"fluent",
	"frank",    "gentle",  "giddy",	  "glad",    "golden",	"grand",
	"happy",    "hardy",   "honest",  "humble",  "jolly",	"keen",
	"kind",	    "lively",  "lucid",	  "lucky",   "merry",	"mellow",
	"mighty",   "modest",  "nimble",  "noble",   "patient", "plucky",
	"polite",   "proud",   "quick",	  "quiet",   "rapid",	"ready",
	"sharp",    "shiny",   "silent",  "sleepy",  "smart",	"snowy",
	"sober",    "steady",  "sunny",	  "swift",   "tender",	"tidy",
	"upbeat",   "vivid",   "warm",	  "wise",    "witty",	"zesty",
};

static const char *const nouns[] = {
	"anchor",  "badger",  "beacon",	 "birch",   "bison",   "canyon",
	"cedar",   "comet",   "condor",	 "coral",   "crane",   "delta",
	"dune",	   "eagle",   "ember",	 "falcon",  "fern",    "fjord",
	"forest",  "fox",     "glacier", "harbor",  "hawk",    "heron",
	"island",  "jaguar",  "kestrel", "lagoon",  "lark",    "lemur",
	"lynx",	   "maple",   "marmot",	 "meadow",  "meteor",  "moose",
	"nebula",  "oak",     "orbit",	 "otter",   "owl",     "panda",
	"pebble",  "pine",    "plover",	 "prairie", "quail",   "quasar",
	"raven",   "reef",    "ridge",	 "river",   "robin",   "salmon",
	"sequoia", "sparrow", "spruce",	 "summit",  "tern",    "thistle",
	"tiger",   "tundra",  "valley",	 "walrus",  "willow",  "wren",
};

static unsigned pick(unsigned n)
{
	unsigned r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned)rand();
	return r % n;
}

char *ctr_generate_name(bool suffix)
{
	const char *a = adjectives[pick(ARRAY_SIZE(adjectives))];
	const char *n = nouns[pick(ARRAY_SIZE(nouns))];

	if (suffix)
		return xasprintf("%s_%s%u", a, n, pick(100));
	return xasprintf("%s_%s", a, n);
}
