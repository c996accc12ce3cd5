import KefuCLI

await Kefu.runMain()
