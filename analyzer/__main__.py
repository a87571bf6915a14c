from analyzer.cli import main

# guarded: a process that the scan pool starts imports this module again (analyzer.scan_pool)
if __name__ == "__main__":
    main()
