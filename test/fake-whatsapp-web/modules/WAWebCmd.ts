import { Emitter } from '../runtime/emitter.js';
import { WAWebConnModel } from './WAWebConnModel.js';

/** WAWebCmd.Cmd: app-wide commands; whatsapp-web.js listens for `logout` and calls `refreshQR()`. */
class CmdModel extends Emitter {
  refreshQR(): void {
    WAWebConnModel.Conn.rotateRef();
  }
}

export const WAWebCmd = { Cmd: new CmdModel() };
