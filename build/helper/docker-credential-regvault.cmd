@echo off
rem docker-credential-regvault: runs Regvault.exe in helper mode (Docker credential-helper protocol).
"%~dp0..\..\Regvault.exe" --docker-credential-helper %*
