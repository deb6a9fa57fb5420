package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// passphrase reads a backup passphrase: the first line of file when file
// is set, else a prompt on the terminal (without echo; twice when confirm
// is set). It is never a flag value, which would land in shell history and
// the process list. "" with no file and no terminal is an error saying so.
func passphrase(file string, confirm bool, stderr io.Writer) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--passphrase-file: %w", underlying(err))
		}
		p, _, _ := strings.Cut(string(b), "\n")
		p = strings.TrimSuffix(p, "\r")
		if p == "" {
			return "", fmt.Errorf("--passphrase-file: %s is empty; its first line is the passphrase", file)
		}
		return p, nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", errors.New("no terminal to ask for the passphrase on; give it with --passphrase-file FILE")
	}
	defer tty.Close()
	p, err := promptHidden(tty, "Passphrase: ")
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", errors.New("empty passphrase")
	}
	if confirm {
		again, err := promptHidden(tty, "Passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", errors.New("the two passphrases differ; nothing was written")
		}
	}
	return p, nil
}

// promptHidden writes prompt to tty and reads a line with echo off.
func promptHidden(tty *os.File, prompt string) (string, error) {
	fmt.Fprint(tty, prompt)
	restore, err := echoOff(tty)
	if err != nil {
		return "", fmt.Errorf("cannot turn off echo on the terminal (%w); give the passphrase with --passphrase-file FILE", err)
	}
	line, rerr := bufio.NewReader(tty).ReadString('\n')
	restore()
	fmt.Fprintln(tty)
	if rerr != nil && line == "" {
		return "", fmt.Errorf("read passphrase: %w", rerr)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
