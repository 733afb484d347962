; The Windows installer (NSIS, Debian's `nsis`): built by build.sh --installer.
; Installs dripline.exe for the current user under %LOCALAPPDATA%\Programs\Dripline (no
; administrator needed), adds a Start menu entry and an uninstaller (listed in Apps & features).
; The uninstaller removes the program only: the data in %APPDATA%\dripline stay.
Unicode true
; 64-bit installer, as the program is (and so that Wine without its 32-bit part runs it).
Target amd64-unicode
!ifndef VERSION
  !define VERSION "0.1.0"
!endif
Name "Dripline 精准扶贫 · 村级工作台"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Dripline"
RequestExecutionLevel user
SetCompressor /SOLID lzma
Icon "${ICON}"
UninstallIcon "${ICON}"

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Dripline"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "Dripline"
  SetOutPath "$INSTDIR"
  File "/oname=dripline.exe" "${EXE}"
  File "/oname=dripline.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\Dripline"
  CreateShortcut "$SMPROGRAMS\Dripline\精准扶贫 · 村级工作台.lnk" "$INSTDIR\dripline.exe" "" "$INSTDIR\dripline.ico"
  CreateShortcut "$SMPROGRAMS\Dripline\卸载 Uninstall Dripline.lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "Dripline 精准扶贫 · 村级工作台"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\dripline.ico"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\Dripline\精准扶贫 · 村级工作台.lnk"
  Delete "$SMPROGRAMS\Dripline\卸载 Uninstall Dripline.lnk"
  RMDir "$SMPROGRAMS\Dripline"
  Delete "$INSTDIR\dripline.exe"
  Delete "$INSTDIR\dripline.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINST_KEY}"
  ; The village data (%APPDATA%\dripline) are the user's: they are not removed.
SectionEnd
