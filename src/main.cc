#include "app/cli.h"

int main(int argc, char** argv) { return failwatch::RunCli(argc, argv); }
