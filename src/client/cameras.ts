import { ActionArea } from './actions';
import type { RequestOptions } from './types';

/** VMPLEX cameras. */
export class Cameras extends ActionArea {
  list(o?: RequestOptions) {
    return this.ask('vmx_cam_list', {}, o);
  }
  picture(camera: string, o?: RequestOptions) {
    return this.ask('vmx_cam_get_pic', { CAMID: camera }, o);
  }
  /** Reads the camera's stream for `streamMs` (default 3 s) and returns what came, within the binary cap. */
  stream(camera: string, o?: RequestOptions) {
    return this.ask('vmx_cam_get_stream', { CAMID: camera }, o);
  }
  startRecording(camera: string, o?: RequestOptions) {
    return this.ask('vmx_cam_s_record', { CAMID: camera }, o);
  }
  savePicture(camera: string, o?: RequestOptions) {
    return this.ask('vmx_cam_p_save', { CAMID: camera }, o);
  }
}
