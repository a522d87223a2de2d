function __pmq_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __pmq_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __pmq_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __pmq_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __pmq_parse_tokens -S
    set -l unparsed_tokens (__pmq_tokens -pc)
    switch $unparsed_tokens[1]
    case 'pmq'
        __pmq_parse_subcommand -r 1 'db=' 'init' 'today=' 'format=' 'var=+' 'dry-run' 'e=+' 'check' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'lsp'
            __pmq_parse_subcommand 0 'db=' 'today=' 'version' 'h/help'
        case 'help'
            __pmq_parse_subcommand -r 1 'version'
        end
    end
end

function __pmq_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __pmq_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __pmq_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __pmq_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__pmq_tokens -p)
    if test -z "$(__pmq_tokens -t)"
        set -l index (count (__pmq_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'pmq' -f
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" db' -l 'db' -d 'The project database file, or a postgresql:// URL (default: $PMQ_DB, else in memory).' -rfa '(set -l exts \'db\' \'sqlite\' \'sqlite3\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" init' -l 'init' -d 'Add PMQ\'s tables to a database that holds other tables and no PMQ schema (refused without it).'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" today' -l 'today' -d 'The date that counts as today.' -rfka ''
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" format' -l 'format' -d 'Output format: table, csv, tsv, json, markdown or html.' -rfka 'table csv json markdown tsv html'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq"' -l 'var' -d 'Set a script parameter.' -rfka ''
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" dry-run' -l 'dry-run' -d 'Run everything, then roll back and report what would have changed.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq"' -s 'e' -d 'PMQ text to run (repeatable).' -rfka ''
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" check' -l 'check' -d 'Parse and check only; exit 0 when clean.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_positional "pmq" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pmq\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" version' -l 'version' -d 'Show the version.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_positional "pmq" -eq 2' -fa 'lsp' -d 'Speak the Language Server Protocol on standard input and output, for editors.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_positional "pmq" -eq 2' -fa 'help' -d 'Show subcommand help information.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq lsp" db' -l 'db' -d 'A project database to complete keys from (read-only).' -rfa '(set -l exts \'db\' \'sqlite\' \'sqlite3\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq lsp" today' -l 'today' -d 'The date that counts as today when checking.' -rfka ''
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq lsp" version' -l 'version' -d 'Show the version.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq lsp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'pmq' -n '__pmq_should_offer_completions_for_flags_or_options "pmq help" version' -l 'version' -d 'Show the version.'
