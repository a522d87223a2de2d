/* libxml2, loaded on first use by a release `pmq` (see ../lazyxml.c). Nothing to call here:
   the functions FoundationXML needs are defined in lazyxml.c under libxml2's own names. */
#ifndef PMQ_CLAZYXML_H
#define PMQ_CLAZYXML_H
#endif
