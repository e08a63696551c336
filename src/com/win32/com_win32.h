/*
 * What the Windows files of the COM layer share (rtcshim.dll only).
 */
#ifndef RTCSHIM_COM_WIN32_H
#define RTCSHIM_COM_WIN32_H

#include <windows.h>

/* server.c */
HINSTANCE com_module_instance(void);
void com_module_pin(void);

/* apartment.c, from DllMain */
void com_apartment_process_attach(void);
void com_apartment_thread_detach(void);

#endif
