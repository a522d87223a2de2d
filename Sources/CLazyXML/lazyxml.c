// libxml2, loaded when XML is first used (x86-64 Linux, release builds of `pmq`).
//
// Why: Foundation is linked into a release `pmq` statically (Package.swift), and its
// FoundationXML part calls libxml2. Linking libxml2 made every `pmq` process, a plain query
// included, load libxml2 and what it needs (the system's ICU, liblzma, the shared C++
// library): about a fifth of the dynamic loader's work at start-up (BENCHMARKS.md, s1).
// Here each libxml2 function FoundationXML calls is a small trampoline: it jumps through a
// slot that holds the library's function once libxml2 has been loaded, and loads it
// (dlopen, then dlsym for every slot) on the first call. Nothing else changes: the same
// libxml2 does the work, with the same arguments, whatever their number and kind.
//
// The list is what FoundationXML and _CFXMLInterface of this toolchain use; a toolchain that
// needs another function fails to link, naming it (regenerate with:
//   nm -u $TOOLCHAIN/usr/lib/swift_static/linux/{lib_CFXMLInterface,libFoundationXML}.a \
//     | awk '$2 ~ /^xml/ {print $2}' | sort -u).
// The symbols are hidden: only this executable's static FoundationXML binds to them, and
// libxml2 itself, once loaded, never sees them. Elsewhere (debug builds, where Foundation is
// a shared library with its own libxml2 dependency; other architectures, which link libxml2
// as before) the file is unused.
#include "CLazyXML.h"

#if defined(__linux__) && defined(__x86_64__)
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define PMQ_XML_FUNCTIONS(X) \
    X(xmlAddAttributeDecl) X(xmlAddChild) X(xmlAddElementDecl) X(xmlAddNextSibling) \
    X(xmlAddPrevSibling) X(xmlBufferContent) X(xmlBufferCreate) X(xmlBufferFree) \
    X(xmlBuildQName) X(xmlChildElementCount) X(xmlCopyDoc) X(xmlCopyDtd) \
    X(xmlCopyNamespace) X(xmlCopyNode) X(xmlCreatePushParserCtxt) X(xmlCtxtGetLastError) \
    X(xmlCtxtUseOptions) X(xmlDictOwns) X(xmlDocGetRootElement) X(xmlDocSetRootElement) \
    X(xmlEncodeEntitiesReentrant) X(xmlFreeDoc) X(xmlFreeDocElementContent) X(xmlFreeDtd) \
    X(xmlFreeEnumeration) X(xmlFreeNode) X(xmlFreeNs) X(xmlFreeNsList) \
    X(xmlFreeParserCtxt) X(xmlFreeProp) X(xmlFreeValidCtxt) X(xmlGetDocEntity) \
    X(xmlGetDtdAttrDesc) X(xmlGetDtdElementDesc) X(xmlGetDtdEntity) X(xmlGetDtdNotationDesc) \
    X(xmlGetExternalEntityLoader) X(xmlGetIntSubset) X(xmlGetNodePath) X(xmlGetParameterEntity) \
    X(xmlGetPredefinedEntity) X(xmlHasNsProp) X(xmlHashLookup) X(xmlHashLookup3) \
    X(xmlHashRemoveEntry) X(xmlHashRemoveEntry3) X(xmlHashScan) X(xmlIOParseDTD) \
    X(xmlInitParser) X(xmlNewComment) X(xmlNewDoc) X(xmlNewDtd) \
    X(xmlNewNode) X(xmlNewNs) X(xmlNewNsProp) X(xmlNewPI) \
    X(xmlNewProp) X(xmlNewText) X(xmlNewValidCtxt) X(xmlNoNetExternalEntityLoader) \
    X(xmlNodeGetContent) X(xmlNodeSetContent) X(xmlNodeSetName) X(xmlParseChunk) \
    X(xmlParseDTD) X(xmlParserInputBufferCreateMem) X(xmlReadMemory) X(xmlRegFreeRegexp) \
    X(xmlReplaceNode) X(xmlSAX2ExternalSubset) X(xmlSAX2GetColumnNumber) X(xmlSAX2GetEntity) \
    X(xmlSAX2GetLineNumber) X(xmlSAX2InternalSubset) X(xmlSAX2UnparsedEntityDecl) X(xmlSaveClose) \
    X(xmlSaveToBuffer) X(xmlSaveTree) X(xmlSearchNsByHref) X(xmlSetExternalEntityLoader) \
    X(xmlSetNs) X(xmlSetStructuredErrorFunc) X(xmlSnprintfElementContent) X(xmlSplitQName2) \
    X(xmlSplitQName3) X(xmlStopParser) X(xmlStrcmp) X(xmlStrdup) \
    X(xmlStrlen) X(xmlStrndup) X(xmlUnlinkNode) X(xmlValidateDocument) \
    X(xmlXPathFreeContext) X(xmlXPathFreeObject) X(xmlXPathNewContext) X(xmlXPathNodeEval) \
    X(xmlXPathRegisterNs)

// One slot a function: null until libxml2 is loaded.
#define SLOT(name) __attribute__((visibility("hidden"))) void *pmq_xml_slot_##name;
PMQ_XML_FUNCTIONS(SLOT)
#undef SLOT

// libxml2's xmlFree is a variable (a function pointer), not a function: FoundationXML reads
// it to free what libxml2 allocated. libxml2's default is free(); it is copied from the
// library when that is loaded.
typedef void (*pmq_xml_free_function)(void *);
__attribute__((visibility("hidden"))) pmq_xml_free_function xmlFree = free;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *lib = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        // A missing libxml2 used to stop pmq from starting at all; now only XML work stops.
        const char *why = dlerror();
        fprintf(stderr, "pmq: cannot load libxml2 (libxml2.so.2), which XML import and export need: %s\n", why ? why : "not found");
        exit(1);
    }
#define LOOKUP(name) \
    pmq_xml_slot_##name = dlsym(lib, #name); \
    if (!pmq_xml_slot_##name) { fprintf(stderr, "pmq: libxml2.so.2 has no %s\n", #name); exit(1); }
    PMQ_XML_FUNCTIONS(LOOKUP)
#undef LOOKUP
    pmq_xml_free_function *free_function = (pmq_xml_free_function *)dlsym(lib, "xmlFree");
    if (free_function && *free_function) xmlFree = *free_function;
}

// Called by the trampolines (below) on a first call, with the caller's arguments saved.
__attribute__((visibility("hidden"), used)) void pmq_xml_load(void) { pthread_once(&once, load); }

// The shared slow path: %r11 holds the slot's address. Every argument register is saved
// (six integer, eight vector, %rax for variadic calls), libxml2 is loaded, the registers
// are restored and the call goes on to the library's function, as if called directly.
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".hidden pmq_xml_resolve\n"
    ".type pmq_xml_resolve, @function\n"
    "pmq_xml_resolve:\n"
    "  pushq %rdi\n  pushq %rsi\n  pushq %rdx\n  pushq %rcx\n"
    "  pushq %r8\n  pushq %r9\n  pushq %rax\n  pushq %r11\n"
    "  subq $136, %rsp\n"  /* 8 pushes and 136 bytes keep %rsp 16-byte aligned for the call */
    "  movdqu %xmm0, 0(%rsp)\n  movdqu %xmm1, 16(%rsp)\n  movdqu %xmm2, 32(%rsp)\n  movdqu %xmm3, 48(%rsp)\n"
    "  movdqu %xmm4, 64(%rsp)\n  movdqu %xmm5, 80(%rsp)\n  movdqu %xmm6, 96(%rsp)\n  movdqu %xmm7, 112(%rsp)\n"
    "  call pmq_xml_load\n"
    "  movdqu 0(%rsp), %xmm0\n  movdqu 16(%rsp), %xmm1\n  movdqu 32(%rsp), %xmm2\n  movdqu 48(%rsp), %xmm3\n"
    "  movdqu 64(%rsp), %xmm4\n  movdqu 80(%rsp), %xmm5\n  movdqu 96(%rsp), %xmm6\n  movdqu 112(%rsp), %xmm7\n"
    "  addq $136, %rsp\n"
    "  popq %r11\n  popq %rax\n  popq %r9\n  popq %r8\n"
    "  popq %rcx\n  popq %rdx\n  popq %rsi\n  popq %rdi\n"
    "  jmpq *(%r11)\n"
    ".size pmq_xml_resolve, .-pmq_xml_resolve\n");

// A function's trampoline: a jump through its slot, or the slow path on the first call.
#define TRAMPOLINE(name) __asm__( \
    ".text\n" \
    ".p2align 4\n" \
    ".globl " #name "\n" \
    ".hidden " #name "\n" \
    ".type " #name ", @function\n" \
    #name ":\n" \
    "  movq pmq_xml_slot_" #name "(%rip), %r11\n" \
    "  testq %r11, %r11\n" \
    "  jz 1f\n" \
    "  jmpq *%r11\n" \
    "1:\n" \
    "  leaq pmq_xml_slot_" #name "(%rip), %r11\n" \
    "  jmp pmq_xml_resolve\n" \
    ".size " #name ", .-" #name "\n");
PMQ_XML_FUNCTIONS(TRAMPOLINE)
#undef TRAMPOLINE

#endif
