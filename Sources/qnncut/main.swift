import CSupport

// Line-buffer stdout so that a rank's output survives an abort of the job (platform notes).
csupport_line_buffer_stdio()
QNNCut.main()
