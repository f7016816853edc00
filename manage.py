#!/usr/bin/env python
from sanqu.cli import main

if __name__ == "__main__":
    main()
