import ArgumentParser
QNNCut.main()
