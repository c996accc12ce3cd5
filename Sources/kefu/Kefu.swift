import ArgumentParser
import ServiceLifecycle
import KefuAPI
import KefuWorker
@main struct Kefu: ParsableCommand { func run() {} }
